"""Words the simulation writes: Vietnamese names, addresses, and what officials and citizens say.

Plain lists (no name generator package): family names roughly by frequency (Nguyễn about a third),
with the Tày and Nùng family names common in Thái Nguyên and Bắc Kạn; the texts are the kind a
one-stop desk and a citizens' report line actually see. None of this is statistics: it only has to
look like a real province in the demo."""
from __future__ import annotations

# family name, weight (per thousand, roughly)
FAMILY_NAMES = [
    ("Nguyễn", 310), ("Trần", 90), ("Lê", 80), ("Phạm", 60), ("Hoàng", 50), ("Vũ", 40), ("Đặng", 25),
    ("Bùi", 25), ("Đỗ", 25), ("Ngô", 20), ("Dương", 25), ("Lý", 10), ("Đinh", 15), ("Trịnh", 10),
    ("Lương", 15), ("Nông", 25), ("Ma", 20), ("Hà", 20), ("Triệu", 15), ("Đàm", 10), ("La", 8),
    ("Lục", 6), ("Hứa", 5), ("Mạc", 5), ("Phan", 20), ("Tạ", 8), ("Chu", 8), ("Lã", 5), ("Quan", 5),
    ("Vi", 5), ("Tô", 8), ("Cao", 8), ("Kiều", 5), ("Lưu", 10), ("Mai", 8),
]
MIDDLE_MALE = ["Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Xuân", "Ngọc", "Công", "Mạnh",
               "Tiến", "Trung", "Hoàng", "Anh", "Quốc", "Thế", "Đình", "Kim"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Thị", "Thu", "Thanh", "Ngọc", "Minh", "Phương", "Hồng", "Kim",
                 "Thúy", "Mai", "Hải", "Diệu", "Bảo", "Khánh"]
GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Đông", "Giang", "Hải", "Hào", "Hiếu", "Hòa",
              "Hoàng", "Hùng", "Huy", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Mạnh", "Minh", "Nam", "Nghĩa",
              "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trung",
              "Tuấn", "Tùng", "Việt", "Vinh", "Vũ"]
GIVEN_FEMALE = ["Anh", "Châu", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Huệ",
                "Hương", "Lan", "Liên", "Linh", "Loan", "Ly", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung",
                "Oanh", "Phương", "Quỳnh", "Tâm", "Thảo", "Thơm", "Thủy", "Trang", "Tuyết", "Uyên", "Vân",
                "Xuân", "Yến"]

HAMLETS = ["Đồng Tâm", "Tân Lập", "Làng Mới", "Đồng Bẩm", "Bản Pài", "Nà Mạ", "Khuổi Hát", "Đồng Sang",
           "Cây Thị", "Tân Thành", "Hợp Thành", "Làng Chè", "Đồng Xe", "Phố Chợ", "Nà Pặc", "Khau Ván",
           "Tiền Phong", "Thống Nhất", "Quyết Tiến", "Bình Minh"]
STREETS = ["Hoàng Văn Thụ", "Lương Ngọc Quyến", "Phan Đình Phùng", "Cách Mạng Tháng Tám", "Minh Cầu",
           "Quang Trung", "Bắc Kạn", "Thống Nhất", "Z115", "Dương Tự Minh", "Tân Thịnh", "Phủ Liễn"]

OFFICIAL_TITLES = {
    "receiver": "Công chức Bộ phận một cửa",
    "specialist": "Công chức chuyên môn",
    "leader": "Phó Chủ tịch",
    "province_admin": "Chuyên viên điều phối phản ánh",
}
DEPARTMENT_TITLES = {
    "receiver": "Chuyên viên Trung tâm Phục vụ hành chính công",
    "specialist": "Chuyên viên phòng chuyên môn",
    "leader": "Phó Giám đốc",
}

# What officials and citizens write on a dossier.
SUPPLEMENT_REASONS = [
    "Bản chụp giấy tờ bị mờ, đề nghị chụp lại rõ nét.",
    "Tờ khai thiếu chữ ký của người yêu cầu; đề nghị ký và tải lại tờ khai.",
    "Nơi cư trú ghi trên tờ khai chưa khớp với Cơ sở dữ liệu quốc gia về dân cư; đề nghị kiểm tra và khai lại.",
    "Đề nghị bổ sung bản chụp giấy tờ tùy thân còn hiệu lực của người yêu cầu.",
    "Giấy tờ chứng minh đính kèm chưa đúng mẫu quy định; đề nghị bổ sung đúng mẫu.",
]
SUPPLY_NOTES = ["Tôi đã bổ sung giấy tờ theo yêu cầu.", "Đã chụp lại bản rõ nét, mong cơ quan xem xét.",
                "Gửi bổ sung giấy tờ còn thiếu."]
REFUSE_REASONS = [
    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan; đề nghị nộp tại UBND nơi cư trú của người yêu cầu.",
    "Thủ tục đã chọn không đúng với yêu cầu; đề nghị nộp lại theo thủ tục phù hợp.",
    "Giấy tờ đính kèm không phải của người yêu cầu; đề nghị nộp lại hồ sơ đúng người.",
]
WITHDRAW_REASONS = ["Tôi nộp nhầm thủ tục.", "Gia đình thay đổi kế hoạch, xin rút hồ sơ.",
                    "Tôi sẽ nộp lại hồ sơ đầy đủ hơn sau."]
STOP_REASONS = ["Công dân không bổ sung hồ sơ trong thời hạn quy định.",
                "Hồ sơ thuộc trường hợp phải xác minh tại cơ quan khác; dừng xử lý theo quy định."]
APOLOGY_REASONS = ["Hồ sơ cần xác minh thêm với cơ quan có liên quan.",
                   "Cán bộ xử lý nghỉ ốm đột xuất, chưa kịp bàn giao hồ sơ.",
                   "Chờ kết quả xác minh từ nơi đăng ký trước đây của công dân."]
COMPLAINTS = ["Đến ngày hẹn nhưng tôi chưa nhận được kết quả.",
              "Tôi phải đi lại nhiều lần vì hướng dẫn thành phần hồ sơ chưa rõ.",
              "Thái độ tiếp công dân tại bộ phận một cửa chưa niềm nở."]
RATING_COMMENTS = {
    "satisfied": ["Nhanh, không phải đi lại.", "Cán bộ hướng dẫn tận tình.", "Nhận kết quả đúng hẹn.", "", ""],
    "acceptable": ["Được, nhưng phải chờ hơi lâu.", "", ""],
    "unsatisfied": ["Trả kết quả chậm so với hẹn.", "Phải bổ sung giấy tờ nhiều lần.", ""],
}
# The rating criteria keys of the citizen's rating form (web/portal/forms.py RATING_CRITERIA).
RATING_CRITERIA = ("dung_hen", "thai_do", "khong_di_lai", "huong_dan")

# Sample values of application form fields, by field key (others: the applicant's own data or a name).
FORM_TEXTS = {
    "noi_sinh": ["Bệnh viện Trung ương Thái Nguyên", "Bệnh viện A Thái Nguyên", "Trung tâm Y tế huyện cũ",
                 "Trạm y tế xã", "Bệnh viện Đa khoa tỉnh Bắc Kạn"],
    "noi_chet": ["Tại nhà riêng", "Bệnh viện Trung ương Thái Nguyên", "Bệnh viện A Thái Nguyên"],
    "ten_giay_to": ["Bằng tốt nghiệp trung học phổ thông", "Giấy khai sinh", "Học bạ trung học phổ thông",
                    "Giấy chứng nhận quyền sử dụng đất", "Sổ hộ khẩu"],
    "ten_van_bang": ["Bằng tốt nghiệp trung học phổ thông", "Bằng tốt nghiệp trung học cơ sở"],
    "muc_dich": ["Bổ sung hồ sơ xin việc", "Hồ sơ du học", "Hồ sơ xuất khẩu lao động"],
    "linh_vuc_hanh_nghe": ["Giám sát thi công xây dựng công trình dân dụng", "Thiết kế kết cấu công trình"],
    "quoc_tich_ben_kia": ["Hàn Quốc", "Trung Quốc", "Nhật Bản", "Đài Loan (Trung Quốc)"],
    "truong_noi_di": ["Trường THPT Chu Văn An", "Trường THPT Lương Ngọc Quyến", "Trường THPT Gang Thép"],
    "truong_noi_den": ["Trường THPT Ngô Quyền", "Trường THPT Đồng Hỷ", "Trường THPT Bắc Kạn"],
    "ten_ho_kinh_doanh": ["Hộ kinh doanh Tạp hóa Minh Anh", "Hộ kinh doanh Chè Tân Cương", "Hộ kinh doanh Quán cơm Hương Quê"],
    "ten_doanh_nghiep": ["Công ty TNHH Chè Thái Hưng", "Công ty Cổ phần Xây dựng Gia Sàng", "Doanh nghiệp tư nhân Phúc Lộc"],
    "ten_co_so": ["Nhà thuốc An Khang", "Nhà thuốc Minh Châu"],
    "ten_thuong_nhan": ["Công ty TNHH Đồ uống Thái Nguyên"],
    "ten_van_phong": ["Văn phòng công chứng Phan Đình Phùng"],
    "ten_cong_trinh": ["Nhà ở riêng lẻ", "Nhà xưởng sản xuất chè"],
    "ten_du_an": ["Cơ sở chế biến chè xuất khẩu", "Trang trại chăn nuôi tập trung"],
    "so_giay_chung_nhan": ["19A8012345", "19B8004321"],
    "so_giay_phep": ["125/GPXD", "47/GPXD"],
    "so_ho_chieu_ben_kia": ["M12345678", "E98765432"],
    "so_thua": ["125", "47", "312"],
    "so_to_ban_do": ["12", "8", "31"],
    "ma_so_doanh_nghiep": ["4601234567", "4600987654"],
}
TEXTAREA_TEXTS = ["Đề nghị cơ quan xem xét, giải quyết theo quy định.",
                  "Nội dung như giấy tờ kèm theo hồ sơ."]

# Citizens' field reports: what they report and what the agency answers, by category code.
REPORT_TEXTS = {
    "giao-thong": ["Mặt đường có ổ gà lớn, xe máy đi qua rất nguy hiểm, nhất là buổi tối.",
                   "Đèn tín hiệu giao thông tại ngã tư không hoạt động từ sáng nay.",
                   "Biển báo cấm đỗ bị đổ, nằm giữa lề đường.",
                   "Ùn tắc kéo dài giờ tan tầm trước cổng trường."],
    "moi-truong": ["Cơ sở sản xuất xả nước thải đen ra suối, bốc mùi hôi.", "Khói bụi từ lò đốt gạch ảnh hưởng khu dân cư.",
                   "Tiếng ồn từ xưởng gỗ kéo dài đến khuya."],
    "rac-thai": ["Điểm tập kết rác không được thu gom hai ngày, bốc mùi.", "Có người đổ trộm phế thải xây dựng ven đường.",
                 "Thùng rác công cộng bị vỡ, rác tràn ra vỉa hè."],
    "trat-tu-do-thi": ["Quán ăn lấn chiếm vỉa hè, người đi bộ phải xuống lòng đường.",
                       "Biển quảng cáo dựng trái phép che khuất tầm nhìn.", "Công trình xây dựng để vật liệu tràn ra đường."],
    "dien-chieu-sang": ["Cột đèn đường không sáng từ tuần trước.", "Đèn đường sáng cả ngày, lãng phí điện.",
                        "Dây điện võng thấp, nguy hiểm cho xe tải."],
    "cap-thoat-nuoc": ["Mất nước sinh hoạt từ hôm qua chưa có thông báo.", "Nắp cống bị vỡ, có thể gây tai nạn.",
                       "Đường ngập sâu sau mưa do cống thoát nước tắc."],
    "an-toan-thuc-pham": ["Quán ăn mất vệ sinh, để thực phẩm sống cạnh chín.", "Bán thực phẩm không rõ nguồn gốc tại chợ."],
    "y-te": ["Chờ khám quá lâu tại trạm y tế.", "Phát hiện nhiều ca sốt xuất huyết trong tổ dân phố."],
    "giao-duc": ["Phòng học xuống cấp, trần nhà có vết nứt.", "Khoản thu đầu năm học chưa được công khai."],
    "dat-dai-xay-dung": ["Lấn chiếm đất công làm công trình phụ.", "Xây nhà trái phép trên đất nông nghiệp."],
    "hanh-chinh-cong": ["Hồ sơ quá hạn nhưng không nhận được thông báo xin lỗi.", "Cán bộ yêu cầu nộp giấy tờ ngoài quy định."],
    "an-ninh-trat-tu": ["Nhóm thanh niên tụ tập, đua xe gây mất trật tự ban đêm.", "Có dấu hiệu đánh bạc tại quán nước."],
}
REPORT_ANSWERS = {
    "default": ["Cơ quan đã kiểm tra thực tế và chỉ đạo đơn vị liên quan khắc phục; cảm ơn bạn đã phản ánh.",
                "Đã phối hợp với UBND xã, phường xử lý dứt điểm; sẽ tiếp tục kiểm tra định kỳ.",
                "Nội dung phản ánh đúng; cơ quan đã lập biên bản, yêu cầu khắc phục trong thời hạn quy định."],
    "giao-thong": ["Đơn vị quản lý đường bộ đã vá ổ gà và lắp biển cảnh báo.", "Đã sửa chữa đèn tín hiệu, hoạt động bình thường."],
    "rac-thai": ["Đơn vị vệ sinh môi trường đã thu gom, bố trí thêm lượt thu trong tuần."],
    "dien-chieu-sang": ["Đã thay bóng và sửa mạch điều khiển, đèn sáng bình thường."],
    "cap-thoat-nuoc": ["Đã thông tắc cống và thay nắp cống mới."],
}
REJECT_NOTES = {
    "duplicate": "Nội dung trùng với phản ánh đã tiếp nhận trước đó.",
    "out_of_remit": "Nội dung là tranh chấp dân sự, đề nghị gửi Tòa án nhân dân.",
    "not_enough": "Chưa đủ thông tin địa điểm để xác minh; đề nghị gửi lại kèm địa chỉ cụ thể.",
}
REPORT_RATING_COMMENTS = {"satisfied": ["Xử lý nhanh, cảm ơn.", ""], "acceptable": ["Đã xử lý nhưng chậm.", ""],
                          "unsatisfied": ["Chưa xử lý triệt để.", "Tình trạng vẫn còn."]}
